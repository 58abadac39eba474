"""Responsible units (责任单位): 乡镇街道, 区直部门, 园区 and others."""
